// Browser entry of sweep.html: the sweep explorer, styled like the dashboard.
import 'uplot/dist/uPlot.min.css';
import '../dashboard/dashboard.css';
import './explorer.css';
import './app';
