// Browser entry of sweep.html: the sweep explorer, styled like the dashboard.
import 'uplot/dist/uPlot.min.css';
import '../ui/page.css';
import './explorer.css';
import './app';
