// Browser entry: the dashboard (index.html holds one <pf-app>).
import 'uplot/dist/uPlot.min.css';
import '../ui/page.css';
import './app';
